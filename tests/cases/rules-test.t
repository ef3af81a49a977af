# Every built-in rule passes its own examples.
%name
rules-test
%args
rules test
%stdout-contains
 passed, 0 failed
%exit
0
