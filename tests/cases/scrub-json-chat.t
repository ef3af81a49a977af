%name
scrub-json-chat
%args
scrub --format json
%stdin
{"model":"gpt-4o","messages":[{"role":"user","content":"mail jane.doe@corp.example, card 4111 1111 1111 1111 \u00e9"}],"seed":12345678901234567890,"t":1e400}
%stdout
{"model":"gpt-4o","messages":[{"role":"user","content":"mail <EMAIL_1>, card <CREDIT_CARD_1> \u00e9"}],"seed":12345678901234567890,"t":1e400}
%exit
0
