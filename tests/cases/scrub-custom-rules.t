%name
scrub-custom-rules
%args
scrub --no-default-rules --rules fixtures/pack-small.json
%stdin
badge EMP-204815 for name=Zoë, mail jane.doe@corp.example
%stdout
badge <EMPLOYEE_ID_1> for name=<NAME_1>, mail jane.doe@corp.example
%exit
0
