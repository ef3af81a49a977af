# TYPE=OP overrides the default operator for that type only.
%name
scrub-op-per-type
%args
scrub -o remove -o EMAIL=mask:2
%stdin
mail jane.doe@corp.example card 4111 1111 1111 1111.
%stdout
mail *******************le card .
%exit
0
