%name
moderate-override
%args
moderate --action-override violence=flag
%stdin
I will kill you.
%stdout
I will kill you.
%exit
0
