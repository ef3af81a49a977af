%name
moderate-bad-threshold
%args
moderate --threshold violence=abc
%stdin
x
%stderr
--threshold violence=abc: not a number
%exit
2
