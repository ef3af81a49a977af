%name
moderate-allowed
%args
moderate
%stdin
To stop it, kill the process (kill -9 1234) and kill the job if it hangs.
Shoot me an email at ops@example.com if the build dies.
%stdout
To stop it, kill the process (kill -9 1234) and kill the job if it hangs.
Shoot me an email at <EMAIL_1> if the build dies.
%exit
0
