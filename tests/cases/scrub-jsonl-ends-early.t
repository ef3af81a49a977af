%name
scrub-jsonl-ends-early
%args
scrub --format jsonl
%stdin
{"a":[1,2
%stderr
blackbar: scrub: <stdin>: JSONL: byte 10: input ends inside the document
%exit
2
