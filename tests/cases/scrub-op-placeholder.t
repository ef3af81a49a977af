%name
scrub-op-placeholder
%args
scrub -o placeholder
%stdin
mail jane.doe@corp.example
%stdout
mail <EMAIL_1>
%exit
0
