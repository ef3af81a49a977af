%name
scrub-op-mask
%args
scrub -o mask:4
%stdin
card 4111111111111111 exp 12/29
%stdout
card ************1111 exp 12/29
%exit
0
