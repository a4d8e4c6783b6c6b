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
/* The pools live where the entry stub does not clear them (arch/cc.h): lwIP's
 * own memset at lwip_init gives every element the zeroed start it had in
 * cleared BSS (opt.h: "Useful if pool are moved in uninitialized section of
 * memory"), at the first network command instead of at every boot. */
#define MEMP_MEM_INIT 1

/* Received frames: one pool buffer holds a whole Ethernet frame (netif.h's
 * 1514 bytes; pbufs of 1536 keep 8-byte alignment); a large-receive frame (a
 * TCP segment of up to 64 KiB, feature-gso-tcpv4) is a chain of them. 512 of
 * them (780 KiB of BSS) cover the 512 KiB TCP receive window (354 full
 * buffers, unread or out of order) with room for ARP/ICMP traffic at the
 * same time (lwIP's init.c refuses a window larger than the pool), or a
 * 64-block TFTP window of 1468-byte blocks, or a 64 KiB blksize datagram in
 * reassembly (45 fragments) while the previous ones wait to be read. */
#define PBUF_POOL_SIZE 512
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

/* TCP: full-size segments on a 1500-byte MTU and a 512 KiB receive window,
 * announced with window scaling (RFC 7323 §2: the option is in our SYN, and
 * scaling applies only when the server's SYN-ACK has it too; shift 4, so
 * the 16-bit field can say up to 1 MiB). 63 KiB, the most without scaling,
 * was what held wget back: the sender stalls for the guest's ACKs once the
 * window is full, and a TCG guest's round trip through dom0 is milliseconds
 * (tens of them on a loaded machine). 192 KiB gave 0.74x Linux's wget in
 * one bench_net run, 512 KiB 1.35x in the next (README, Network speed). A
 * larger window needs the pool (PBUF_POOL_SIZE) and TcpStream's chains
 * (net/sockets.h kRxChains) to hold it: a frame that finds no buffer is
 * dropped and costs a retransmission.
 * A pbuf chain's tot_len is 16-bit: lwIP hands a delivery larger than 64 KiB
 * (in-order data plus the out-of-order queue it completes) to the receive
 * callback in pieces (tcp_in.c, pbuf_split_64k, with LWIP_WND_SCALE), and a
 * TcpStream keeps what is unread as several chains, each below 64 KiB
 * (net/sockets.h). The window is reopened only as the reader consumes
 * (tcp_recved), so unread data stays below it and the pool bounds what is
 * buffered. */
#define TCP_MSS 1460
#define LWIP_WND_SCALE 1
#define TCP_RCV_SCALE 4
#define TCP_WND (512 * 1024)
#define TCP_SND_BUF (16 * 1024)
#define TCP_SND_QUEUELEN 40
#define MEMP_NUM_TCP_SEG 64
#define TCP_QUEUE_OOSEQ 1
#define LWIP_TCP_SACK_OUT 0
#define TCP_LISTEN_BACKLOG 0
#define LWIP_TCP_KEEPALIVE 0

/* Checksums are computed in software for everything sent, and checked for
 * everything received except the TCP/UDP checksums of frames the link vouched
 * for (netback's NETRXF_data_validated/csum_blank: dom0's own TCP segments
 * come with the checksum never computed), per frame through the netif's
 * chksum_flags (net/stack.cpp check_flags_for). */
#define LWIP_CHECKSUM_CTRL_PER_NETIF 1
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
