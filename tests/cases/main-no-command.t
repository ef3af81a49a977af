%name
main-no-command
%args
%stdout
%stderr
usage: blackbar COMMAND
%exit
2
