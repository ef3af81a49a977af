%name
rules-no-verb
%args
rules
%stdout
%stderr
usage: blackbar rules
%exit
2
