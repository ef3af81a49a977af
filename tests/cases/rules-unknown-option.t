%name
rules-unknown-option
%args
rules list --frobnicate
%stdout
%stderr
frobnicate
%exit
2
