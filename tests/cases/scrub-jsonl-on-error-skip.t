%name
scrub-jsonl-on-error-skip
%args
scrub --format jsonl --on-error skip
%stdin
{"a":"jane.doe@corp.example"}
{"b": oops jane.doe@corp.example}
{"c":1}
%stdout
{"a":"<EMAIL_1>"}
{"c":1}
%stderr
blackbar: scrub: <stdin>: 1 malformed JSONL records skipped
%exit
0
