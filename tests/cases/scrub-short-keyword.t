# A 2-byte keyword makes the literal scan test every byte pair instead of
# 3-byte hashes; both paths must find the same hits.
%name
scrub-short-keyword
%args
scrub --no-default-rules --rules fixtures/pack-short-keyword.json
%stdin
U=4412 and u=998877 at menu=1234 with BADGE-042, badge-42 and xu=5555
%stdout
U=4412 and u=<USER_ID_1> at menu=1234 with <BADGE_1>, badge-42 and xu=5555
%exit
0
