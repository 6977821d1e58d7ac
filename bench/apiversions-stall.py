#!/usr/bin/env python3
# Event-loop stall probe: C connections each send ApiVersions v0 every 5 ms for S seconds; prints the max and p99
# round trip per connection (ms) after WARM seconds. Usage: apiversions-stall.py PORT SECONDS [CONNECTIONS] [WARM]
import socket, struct, sys, time, threading
port=int(sys.argv[1]); secs=float(sys.argv[2]); conns=int(sys.argv[3]) if len(sys.argv)>3 else 4
warm=float(sys.argv[4]) if len(sys.argv)>4 else 2.0
res={}
def run(i):
    s=socket.create_connection(("127.0.0.1",port), timeout=10); s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    lat=[]; cid=0; start=time.time(); end=start+secs; worst=(0,0)
    while time.time()<end:
        cid+=1
        body=struct.pack(">hhih",18,0,cid,5)+b"stall"
        t=time.perf_counter(); s.sendall(struct.pack(">i",len(body))+body)
        n=struct.unpack(">i",s.recv(4,socket.MSG_WAITALL))[0]; s.recv(n,socket.MSG_WAITALL)
        ms=(time.perf_counter()-t)*1000
        if time.time()-start >= warm:  # the first requests load and compile the broker's request path
            lat.append(ms)
            if ms > worst[0]: worst=(ms, time.strftime("%H:%M:%S", time.localtime(time.time())))
        time.sleep(0.005)
    lat.sort(); res[i]=(len(lat), lat[-1], lat[int(len(lat)*0.99)-1], worst[1])
ts=[threading.Thread(target=run,args=(i,)) for i in range(conns)]
[t.start() for t in ts]; [t.join() for t in ts]
for i,(n,mx,p99,at) in sorted(res.items()): print("conn %d: %d requests after %.0f s of warm-up, max %.1f ms (at %s), p99 %.1f ms"%(i,n,warm,mx,at,p99))
