%name
moderate-one-signal
%args
moderate
%stdin
Research on suicide prevention shows that crisis lines save lives.
%stdout
Research on suicide prevention shows that crisis lines save lives.
%exit
0
