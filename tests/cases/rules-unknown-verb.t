%name
rules-unknown-verb
%args
rules frobnicate
%stdout
%stderr
unknown verb "frobnicate"
%exit
2
