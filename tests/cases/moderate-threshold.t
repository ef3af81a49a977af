%name
moderate-threshold
%args
moderate --threshold self-harm=2 --explain
%stdin
My self harm started again, and suicide is on my mind.
%stdout
My self harm started again, and suicide is on my mind.
%stderr
selfharm-mention (self-harm, weight 0.5, block)
selfharm-first-person (self-harm, weight 0.5, block)
%exit
0
