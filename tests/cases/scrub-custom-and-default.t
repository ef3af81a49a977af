# --rules adds to the built-in packs.
%name
scrub-custom-and-default
%args
scrub --rules=fixtures/pack-small.json
%stdin
badge EMP-204815 mail jane.doe@corp.example
%stdout
badge <EMPLOYEE_ID_1> mail <EMAIL_1>
%exit
0
