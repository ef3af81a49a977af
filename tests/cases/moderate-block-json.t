%name
moderate-block-json
%args
moderate --format json
%stdin
{"id":"chatcmpl-1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"The quickest way to commit suicide is this."},"finish_reason":"stop"}]}
%stdout
{"error":{"message":"The response was blocked by blackbar (category: self-harm/instructions).","type":"invalid_request_error","param":null,"code":"content_blocked"}}
%exit
1
