%name
rules-lint-pack
%args
rules lint fixtures/pack-small.json
%stdout
3 rules, 0 with warnings
%exit
0
