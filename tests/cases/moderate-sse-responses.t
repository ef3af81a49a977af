%name
moderate-sse-responses
%args
moderate --format sse
%stdin-file
fixtures/sse/responses-harmful.sse
%stdout-file
expected/moderate-responses-harmful.sse
%exit
1
