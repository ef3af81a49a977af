%name
scrub-op-unknown
%args
scrub -o scramble
%stdin
mail jane.doe@corp.example
%stdout
%stderr
unknown operator "scramble"
%exit
2
