# A malformed pack: exit 2, the message names the file and the rule.
%name
rules-bad-pack
%args
rules list fixtures/bad-rule.json
%stdout
%stderr
fixtures/bad-rule.json: rule broken-rule:
max_len
%exit
2
