%name
main-help
%args
--help
%stdout-contains
usage: blackbar COMMAND
scrub
rules
%exit
0
