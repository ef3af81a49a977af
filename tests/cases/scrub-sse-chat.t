%name
scrub-sse-chat
%args
scrub --format sse
%stdin
data: {"choices":[{"delta":{"content":"mail jane.doe@corp.example"}}]}

data: [DONE]

%stdout
data: {"choices":[{"delta":{"content":"mail <EMAIL_1>"}}]}

data: [DONE]

%exit
0
