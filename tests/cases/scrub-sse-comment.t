%name
scrub-sse-comment
%args
scrub --format sse
%stdin
: keep-alive for jane.doe@example.com
id: 7
event: message
data: [DONE]

%stdout
: keep-alive for <EMAIL_1>
id: 7
event: message
data: [DONE]

%exit
0
