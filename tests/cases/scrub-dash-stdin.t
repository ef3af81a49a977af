%name
scrub-dash-stdin
%args
scrub -
%stdin
mail jane.doe@corp.example
%stdout
mail <EMAIL_1>
%exit
0
