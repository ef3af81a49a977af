%name
scrub-json-gemini-signature
%args
scrub --format json
%stdin
{"contents":[{"role":"model","parts":[{"text":"mail a@b.example.com","thoughtSignature":"a@b.example.com"}]}]}
%stdout
{"contents":[{"role":"model","parts":[{"text":"mail <EMAIL_1>","thoughtSignature":"a@b.example.com"}]}]}
%exit
0
