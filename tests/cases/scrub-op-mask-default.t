# mask without N keeps 4 characters; spaces inside the value count.
%name
scrub-op-mask-default
%args
scrub --operator mask
%stdin
card 4111 1111 1111 1111 exp 12/29
%stdout
card ***************1111 exp 12/29
%exit
0
