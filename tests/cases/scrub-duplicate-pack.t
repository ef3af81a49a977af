%name
scrub-duplicate-pack
%args
scrub --rules fixtures/pack-small.json --rules fixtures/pack-small.json
%stdin
badge EMP-204815
%stdout
%stderr
fixtures/pack-small.json
already
%exit
2
