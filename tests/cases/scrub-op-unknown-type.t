%name
scrub-op-unknown-type
%args
scrub -o NOT_A_TYPE=mask
%stdin
mail jane.doe@corp.example
%stdout
%stderr
unknown type "NOT_A_TYPE"
%exit
2
