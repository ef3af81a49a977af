# One numbering across all inputs.
%name
scrub-multiple-files
%args
scrub fixtures/a.txt fixtures/b.txt
%stdout
first file: mail <EMAIL_1>
card <CREDIT_CARD_1>
second file: mail <EMAIL_2>
again <EMAIL_1>
%exit
0
