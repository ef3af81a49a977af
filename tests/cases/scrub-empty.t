%name
scrub-empty
%args
scrub
%stdin
%stdout
%exit
0
