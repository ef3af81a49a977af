%name
scrub-format-unknown
%args
scrub --format yaml
%stdin
mail jane.doe@corp.example
%stdout
%stderr
yaml
%exit
2
