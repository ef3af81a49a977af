%name
moderate-sse-chat
%args
moderate --format sse
%stdin-file
fixtures/sse/chat-harmful.sse
%stdout-file
expected/moderate-chat-harmful.sse
%exit
1
