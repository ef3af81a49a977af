%name
scrub-missing-rules-file
%args
scrub --rules fixtures/no-such-pack.json
%stdin
mail jane.doe@corp.example
%stdout
%stderr
fixtures/no-such-pack.json
%exit
2
