%name
scrub-block-rule
%args
scrub --rules fixtures/proxy/block.json
%stdin
ship PROJECT-NIGHTJAR now, mail jane.doe@corp.example
%stdout
ship <CODENAME_1> now, mail <EMAIL_1>
%exit
0
