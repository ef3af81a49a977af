# Nothing is scrubbed (or written) with a bad pack.
%name
scrub-bad-pack
%args
scrub --rules fixtures/bad-rule.json
%stdin
mail jane.doe@corp.example
%stdout
%stderr
fixtures/bad-rule.json: rule broken-rule:
%exit
2
