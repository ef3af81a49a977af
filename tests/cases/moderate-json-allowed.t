%name
moderate-json-allowed
%args
moderate --format json
%stdin
{"id":"chatcmpl-2","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"Mail jane.doe@example.com; the cron job kills stale workers."},"finish_reason":"stop"}],"usage":{"total_tokens":12345678901234567890}}
%stdout
{"id":"chatcmpl-2","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"Mail <EMAIL_1>; the cron job kills stale workers."},"finish_reason":"stop"}],"usage":{"total_tokens":12345678901234567890}}
%exit
0
