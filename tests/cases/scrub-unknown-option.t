%name
scrub-unknown-option
%args
scrub --frobnicate
%stdin
mail jane.doe@corp.example
%stdout
%stderr
frobnicate
%exit
2
