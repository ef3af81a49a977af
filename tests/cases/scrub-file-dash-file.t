# "-" reads standard input in its place among the files.
%name
scrub-file-dash-file
%args
scrub fixtures/b.txt - fixtures/a.txt
%stdin
stdin: ada.lovelace@analytical-engine.test jane.doe@corp.example
%stdout
second file: mail <EMAIL_1>
again <EMAIL_2>
stdin: <EMAIL_2> <EMAIL_3>
first file: mail <EMAIL_2>
card <CREDIT_CARD_1>
%exit
0
