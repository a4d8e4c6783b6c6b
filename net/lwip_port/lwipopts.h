/* lwIP 2.1.3's configuration for xenboot (the reasoning is beside each
 * choice; net/README.md says how it is built). C: lwIP's own sources include it. */
#ifndef XB_LWIPOPTS_H
#define XB_LWIPOPTS_H

/* One thread, no OS: the raw/callback API, polled from net/stack.cpp. */
#define NO_SYS 1
#define SYS_LIGHTWEIGHT_PROT 0
#define LWIP_NETCONN 0
#define LWIP_SOCKET 0
#define LWIP_TIMERS 1

/* Memory: lwIP's own heap (mem.c) for PBUF_RAM (what we send) and fixed pools
 * for everything else, all in BSS, so the stack never touches xenboot's heap
 * and its worst case is known at link time. */
#define MEM_LIBC_MALLOC 0
#define MEMP_MEM_MALLOC 0
#define MEM_ALIGNMENT 8
#define MEM_SIZE (96 * 1024) /* a 64 KiB datagram (IP_FRAG) + the 16 KiB TCP send buffer */

/* Received frames: one pool buffer holds a whole Ethernet frame (netif.h's
 * 1514 bytes; pbufs of 1536 keep 8-byte alignment). 160 of them cover a
 * 64-block TFTP window of 1468-byte blocks, or a 16 KiB blksize reassembly
 * (12 fragments) several times over, or the 63 KiB TCP receive window (45
 * segments) with room for ARP/ICMP traffic at the same time. */
#define PBUF_POOL_SIZE 160
#define PBUF_POOL_BUFSIZE 1536

/* IPv4 only; the lab and U-Boot's conventions are v4. */
#define LWIP_IPV4 1
#define LWIP_IPV6 0
#define LWIP_ARP 1
#define LWIP_ETHERNET 1
#define LWIP_ICMP 1
#define LWIP_RAW 1
#define LWIP_UDP 1
#define LWIP_TCP 1
#define LWIP_DHCP 1
#define LWIP_AUTOIP 0
#define LWIP_IGMP 0
#define LWIP_DNS 0
#define LWIP_SINGLE_NETIF 0 /* the host tests connect two netifs over a loop link */

/* Fragments: TFTP with blksize > 1468 arrives as IP fragments. Up to 64 KiB
 * datagrams (blksize 65464) can be reassembled; 48 pbufs is a 64 KiB datagram
 * in 1480-byte fragments, and 4 of them may be in flight together. */
#define IP_REASSEMBLY 1
#define IP_FRAG 1
#define IP_REASS_MAX_PBUFS 48
#define MEMP_NUM_REASSDATA 4
#define IP_REASS_MAXAGE 3
#define MEMP_NUM_FRAG_PBUF 48

/* ARP: one server and one gateway in practice. Packets sent while the
 * address is being resolved wait (ARP_QUEUEING) instead of being dropped, so a
 * first TFTP request (or every fragment of a first large datagram) is not
 * lost to ARP. */
#define ARP_TABLE_SIZE 4
#define ARP_QUEUEING 1
#define ARP_QUEUE_LEN 48 /* a fragmented 64 KiB datagram sent before ARP is done */
#define MEMP_NUM_ARP_QUEUE 48
#define ETHARP_SUPPORT_STATIC_ENTRIES 0

/* DHCP: U-Boot does not ARP-probe the offered address (that costs 1-2 s per
 * lease); siaddr and the BOOTP `file` field are kept; the hooks read the
 * options lwIP does not (66, 67, 209, 210, 6, 12, 17) and add 60/93/55. */
#define DHCP_DOES_ARP_CHECK 0
#define LWIP_DHCP_BOOTP_FILE 1
#define LWIP_DHCP_GET_NTP_SRV 0
#define LWIP_DHCP_PROVIDE_DNS_SERVERS 0
#define LWIP_HOOK_FILENAME "lwip_hooks.h"
/* Room for what the hooks add (60 up to 64 bytes, 93, a second 55) after
 * lwIP's own options; the RFC 2131 minimum of 68 bytes is too tight. */
#define DHCP_OPTIONS_LEN 160

/* UDP/TCP pcbs: a TFTP transfer and an HTTP connection (plus a listener and
 * its peer in the host tests), DHCP's and ping's pcbs. */
#define MEMP_NUM_UDP_PCB 6
#define MEMP_NUM_RAW_PCB 2
#define MEMP_NUM_TCP_PCB 6
#define MEMP_NUM_TCP_PCB_LISTEN 2

/* TCP: full-size segments on a 1500-byte MTU and the largest receive window
 * that needs no window scaling: 63 KiB. 2.1.3 has scaling (LWIP_WND_SCALE),
 * but a window over 64 KiB lets one delivery (in-order data plus the
 * out-of-order queue it completes, tcp_in.c) or the unread data a TcpStream
 * chains exceed a pbuf chain's 16-bit tot_len. The window is reopened only as
 * the reader consumes (tcp_recved in net/sockets.cpp), so unread data stays
 * below it and the pool bounds what is buffered. */
#define TCP_MSS 1460
#define LWIP_WND_SCALE 0
#define TCP_WND (63 * 1024)
#define TCP_SND_BUF (16 * 1024)
#define TCP_SND_QUEUELEN 40
#define MEMP_NUM_TCP_SEG 64
#define TCP_QUEUE_OOSEQ 1
#define LWIP_TCP_SACK_OUT 0
#define TCP_LISTEN_BACKLOG 0
#define LWIP_TCP_KEEPALIVE 0

/* Checksums are computed and checked in software: the vif is set up with
 * feature-no-csum-offload (docs: netboot.md 0.3), so every frame carries a
 * full checksum both ways. */
#define CHECKSUM_GEN_IP 1
#define CHECKSUM_GEN_UDP 1
#define CHECKSUM_GEN_TCP 1
#define CHECKSUM_GEN_ICMP 1
#define CHECKSUM_CHECK_IP 1
#define CHECKSUM_CHECK_UDP 1
#define CHECKSUM_CHECK_TCP 1
#define CHECKSUM_CHECK_ICMP 1

/* No callbacks xenboot does not use. */
#define LWIP_NETIF_STATUS_CALLBACK 0
#define LWIP_NETIF_LINK_CALLBACK 0
#define LWIP_NETIF_HOSTNAME 0
#define LWIP_NETIF_LOOPBACK 0
#define LWIP_HAVE_LOOPIF 0
#define LWIP_STATS 0
#define LWIP_STATS_DISPLAY 0
#define PPP_SUPPORT 0
#define LWIP_NUM_NETIF_CLIENT_DATA 0

/* Random numbers: xid, local ports (net/lwip_port.cpp). Routing: a packet
 * from one of our addresses leaves through the netif that has it (the strong
 * host model; net/stack.cpp), NULL lets lwIP route by destination. Defined
 * here, not in lwip_hooks.h: ip.h uses the route hook before ip4.c includes
 * the hook file. */
#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif
struct netif;
struct ip4_addr;
unsigned int xb_lwip_rand(void);
struct netif* xb_route_by_source(const struct ip4_addr* src, const struct ip4_addr* dest);
void* xb_net_copy(void* dst, const void* src, size_t n);
uint16_t xb_net_chksum(const void* data, int len);
#ifdef __cplusplus
}
#endif
/* Copies out of pbufs (pbuf_copy_partial: every byte a socket reads) and the
 * Internet checksum: 8 bytes a step at any alignment (net/bytes.h). */
#define MEMCPY(dst, src, len) xb_net_copy((dst), (src), (len))
#define LWIP_CHKSUM xb_net_chksum
#define LWIP_HOOK_IP4_ROUTE_SRC(src, dest) xb_route_by_source((src), (dest))
#define LWIP_RAND() ((u32_t)xb_lwip_rand())

#endif /* XB_LWIPOPTS_H */
