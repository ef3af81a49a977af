%name
scrub-json-bad-format
%args
scrub --format xml
%stdin
x
%stderr
blackbar: scrub: unknown --format xml (want text, json, jsonl, sse or auto)
%exit
2
