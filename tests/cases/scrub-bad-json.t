%name
scrub-bad-json
%args
scrub -r fixtures/bad-json.json
%stdin
mail jane.doe@corp.example
%stdout
%stderr
fixtures/bad-json.json: invalid JSON
%exit
2
