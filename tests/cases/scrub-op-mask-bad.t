%name
scrub-op-mask-bad
%args
scrub -o mask:abc
%stdin
mail jane.doe@corp.example
%stdout
%stderr
mask
%exit
2
