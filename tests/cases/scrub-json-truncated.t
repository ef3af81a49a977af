%name
scrub-json-truncated
%args
scrub --format json
%stdin
{"a":"ok","b":"jane.doe@corp.example
%stderr
blackbar: scrub: <stdin>: JSON: byte 36: control byte in a string
%exit
2
