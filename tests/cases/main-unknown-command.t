%name
main-unknown-command
%args
frobnicate
%stdout
%stderr
unknown command "frobnicate"
%exit
2
