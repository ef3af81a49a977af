%name
moderate-block-anthropic-json
%args
moderate --format json
%stdin
{"id":"msg_01","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":"Fine. I will kill you tomorrow."}],"stop_reason":"end_turn"}
%stdout
{"type":"error","error":{"type":"invalid_request_error","message":"The response was blocked by blackbar (category: violence)."}}
%exit
1
