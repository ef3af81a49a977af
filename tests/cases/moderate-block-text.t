%name
moderate-block-text
%args
moderate --explain
%stdin
Listen carefully: I will kill you if you come back.
%stdout
[blackbar: response blocked, category violence]
%stderr
(stdin): violence-threat (violence, weight 1, block)
%exit
1
