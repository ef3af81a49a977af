%name
moderate-sse-anthropic
%args
moderate --format sse
%stdin-file
fixtures/sse/anthropic-harmful.sse
%stdout-file
expected/moderate-anthropic-harmful.sse
%exit
1
