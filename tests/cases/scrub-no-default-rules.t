# Without packs only the placeholder escaping is left.
%name
scrub-no-default-rules
%args
scrub --no-default-rules
%stdin
mail jane.doe@corp.example <EMAIL_1>
%stdout
mail jane.doe@corp.example <\EMAIL_1>
%exit
0
