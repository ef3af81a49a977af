%name
scrub-format-text
%args
scrub --format text
%stdin
mail jane.doe@corp.example
%stdout
mail <EMAIL_1>
%exit
0
