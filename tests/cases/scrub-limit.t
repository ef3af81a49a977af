# A match longer than the rule's max_len stops the stream: exit 2 and
# nothing of that input is written (fail closed).
%name
scrub-limit
%args
scrub --no-default-rules --rules fixtures/limit.json
%stdin
text xabcdefghijklmnopqrsy and more
%stdout
%stderr
rule x-to-y
max_len 10
%exit
2
